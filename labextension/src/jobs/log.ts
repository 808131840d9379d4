/**
 * The job view's live log: a Lumino widget that draws what its
 * `JobLogStream` receives in a `LogTerminal` (xterm.js).
 */
import '@xterm/xterm/css/xterm.css';
import { type Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { LogTerminal } from '../views/logTerminal';
import { type JobLogStream } from './logStream';

export class JobLog extends Widget {
  constructor(
    readonly stream: JobLogStream,
    label: string
  ) {
    super();
    this.addClass('jp-forgather-log');
    this.node.setAttribute('role', 'log');
    this.node.setAttribute('aria-label', label);
    this.node.setAttribute('aria-live', 'off');
    stream.reset.connect(() => this._term.reset(), this);
    stream.received.connect((_, data) => this._term.write(data), this);
  }

  get jobId(): string {
    return this.stream.jobId;
  }

  /** Everything received so far (the tests and "copy all" read it). */
  get text(): string {
    return this.stream.text;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._term.dispose();
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._term.attach(this.node);
  }

  protected onBeforeDetach(msg: Message): void {
    this._term.detach();
    super.onBeforeDetach(msg);
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this._term.fit();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._term.fit();
  }

  private _term = new LogTerminal();
}
