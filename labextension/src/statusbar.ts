/**
 * The status-bar item: how many GPUs are busy and their mean utilisation.
 * Renders the GPU model; a click opens the Forgather panel.
 */
import { type TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { type GpusModel } from './gpus/model';

export class GpuStatusItem extends Widget {
  constructor(
    readonly model: GpusModel,
    readonly trans: TranslationBundle,
    onClick: () => void
  ) {
    super({ node: document.createElement('button') });
    this.addClass('jp-forgather-status-item');
    this.node.addEventListener('click', onClick);
    model.changed.connect(this._render, this);
    this._render();
  }

  private _render(): void {
    const gpus = this.model.gpus;
    if (!this.model.loaded) {
      this.node.textContent = this.trans.__('GPUs: …');
      this.node.title = this.trans.__('Forgather: waiting for the server');
      return;
    }
    const usable = gpus.filter(g => !g.excluded && !g.disabled);
    const busy = gpus.filter(g => g.reserved_by !== null || g.processes.length > 0).length;
    const utils = gpus.map(g => g.utilization).filter((u): u is number => u !== null);
    const mean = utils.length ? Math.round(utils.reduce((a, b) => a + b, 0) / utils.length) : 0;
    const text = this.trans.__('GPUs %1/%2 busy · %3%', busy, gpus.length, mean);
    this.node.textContent = text + (this.model.simulated ? ' ' + this.trans.__('(sim)') : '');
    this.node.title = this.trans.__(
      'Forgather: %1 of %2 GPUs busy, %3 usable, mean utilisation %4%. Click to open the panel.',
      busy,
      gpus.length,
      usable.length,
      mean
    );
    this.node.setAttribute('aria-label', this.node.title);
  }
}
