/**
 * A docs job's MkDocs site in a Lab tab: a frame on the auth-gated proxy
 * (`/forgather/api/docsite/{job_id}/`), which sends the page on to the job's
 * view link. The frame's own sandbox matches the server's policy: scripts,
 * forms, popups and downloads, never `allow-same-origin`, so the site runs
 * as an opaque origin and cannot reach Jupyter's.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { IFrame } from '@jupyterlab/ui-components';

export function docsUrl(jobId: string): string {
  return URLExt.join(
    PageConfig.getBaseUrl(),
    'forgather/api/docsite',
    encodeURIComponent(jobId),
    '/'
  );
}

export class DocsTab extends MainAreaWidget<IFrame> {
  constructor(jobId: string, label: string) {
    const frame = new IFrame({
      sandbox: ['allow-scripts', 'allow-forms', 'allow-popups', 'allow-downloads'],
      referrerPolicy: 'no-referrer'
    });
    frame.url = docsUrl(jobId);
    super({ content: frame });
    this.id = `forgather-docs-${jobId}`;
    this.title.label = label;
    this.title.caption = docsUrl(jobId);
    this.title.closable = true;
    this.addClass('jp-forgather-docs-tab');
    this.node.dataset.jobId = jobId;
  }
}
