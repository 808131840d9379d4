/** `GpuDashboard`: one card per GPU from the shared `GpusModel` (the live GPU stream). */
import { ForgatherEvents } from '../client/events';
import type { DescribeGpu } from '../client/schemas';
import { GpusModel } from '../gpus/model';
import { ForgatherSettings } from '../settings';
import { type IViewContext, bar, gib, h, showError } from './dom';

function card(gpu: DescribeGpu, toggle: () => void): HTMLElement {
  const power = gpu.power === null ? '?' : gpu.power.toFixed(0);
  return h(
    'div',
    { class: `fg-gpu${gpu.disabled ? ' fg-off' : ''}`, 'data-index': gpu.index },
    h('div', { class: 'fg-gpu-head' }, h('b', {}, `GPU ${gpu.index}`), ' ', gpu.name),
    bar(gpu.utilization, `util ${gpu.utilization ?? '?'}%`),
    bar(
      (100 * gpu.memory_used) / (gpu.memory_total || 1),
      `${gib(gpu.memory_used)} / ${gib(gpu.memory_total)}`
    ),
    h(
      'div',
      { class: 'fg-muted' },
      `${gpu.temperature ?? '?'}°C · ${power} W · min prio ${gpu.min_priority}`
    ),
    h('div', {}, gpu.reserved_by ? `job ${gpu.reserved_by}` : gpu.disabled ? 'disabled' : 'free'),
    h('button', { class: 'fg-btn', onclick: toggle }, gpu.disabled ? 'enable' : 'disable')
  );
}

export function renderGpus({ el, life, client }: IViewContext): void {
  const grid = h('div', { class: 'fg-gpus' });
  const status = h('div', { class: 'fg-muted' }, 'connecting…');
  el.append(h('div', { class: 'fg-title' }, 'GPUs'), status, grid);
  const settings = new ForgatherSettings();
  const events = life.own(new ForgatherEvents(client.transport, ['gpu_policy_changed']));
  const model = life.own(new GpusModel(client, events, settings));
  const show = () => {
    if (model.error) {
      showError(status, model.error);
      return;
    }
    const sim = model.simulated ? ' (simulated)' : '';
    status.textContent = `${model.gpus.length} GPUs · ${model.backend ?? '?'}${sim}`;
    grid.replaceChildren(
      ...model.gpus.map(gpu =>
        card(gpu, () => {
          model
            .setPolicy(gpu.index, { disabled: !gpu.disabled })
            .catch((e: unknown) => showError(status, e));
        })
      )
    );
  };
  model.changed.connect(show);
  model.start();
  void model.refresh();
}
