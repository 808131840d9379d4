/**
 * The enqueue dialog, able to submit a multi-node job itself: when its form
 * asks for several nodes, Queue sends `POST /cluster/jobs` while the dialog
 * stays open, and a refusal (a version mismatch, an interface that cannot be
 * derived, a node gone) is shown in the form to fix, not in a second dialog
 * after this one closed. Anything else resolves as a plain `Dialog` does.
 */
import { Dialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import type { ICreateClusterJob, IDescribeClusterJob } from '../client/clusterJobs';
import { describeError } from '../client/core';
import type { IJobRequest } from '../jobs/forms';

/** A form that may ask for a multi-node job (`RunConfigForm` in cluster mode). */
interface IMultiNodeBody {
  readonly multiNode: boolean;
  showError(message: string | null): void;
  getValue(): IJobRequest;
}

function isMultiNode(body: unknown): body is IMultiNodeBody {
  return body instanceof Widget && (body as Partial<IMultiNodeBody>).multiNode === true;
}

export class EnqueueDialog extends Dialog<IJobRequest> {
  /** `accept`: the index of the Queue button; `submit` sends a multi-node job. */
  constructor(
    options: Partial<Dialog.IOptions<IJobRequest>>,
    private readonly _accept: number,
    private readonly _submitCluster:
      ((body: ICreateClusterJob) => Promise<IDescribeClusterJob>) | null
  ) {
    super(options);
    this._form = options.body;
  }

  /** The multi-node job the dialog started (null: none, or a single-node request). */
  submitted: IDescribeClusterJob | null = null;

  resolve(index?: number): void {
    const body = this._form;
    const accepting = (index ?? this._accept) === this._accept;
    if (!accepting || this.submitted || !this._submitCluster || !isMultiNode(body)) {
      super.resolve(index);
      return;
    }
    if (this._busy) {
      return;
    }
    let request: ICreateClusterJob | null | undefined;
    try {
      request = body.getValue().cluster;
    } catch (error) {
      body.showError(describeError(error));
      return;
    }
    if (!request) {
      super.resolve(index);
      return;
    }
    this._busy = true;
    body.showError(null);
    this.node.setAttribute('aria-busy', 'true');
    this._submitCluster(request).then(
      job => {
        this._busy = false;
        this.submitted = job;
        super.resolve(index);
      },
      (error: unknown) => {
        this._busy = false;
        this.node.removeAttribute('aria-busy');
        body.showError(describeError(error));
      }
    );
  }

  private _form: unknown;
  private _busy = false;
}
