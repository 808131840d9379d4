/**
 * The notebook widgets' front end (anywidget ESM), built by esbuild into
 * forgather_lab/widgets/static/forgather.js.
 *
 * One module for every view, chosen by the model's `_view` trait, so the
 * client, the event stream and the Lab's log and chart parts are bundled
 * once. The widgets talk to the server from the browser (same origin, under
 * the page's Jupyter base URL, with its token and XSRF cookie), never
 * through kernel state, and every render returns a cleanup that closes
 * sockets, streams and timers: a re-run cell or a restarted kernel leaves
 * nothing polling.
 */
import './style.css';

import { ForgatherClient } from '../client';
import type { IRenderProps, IWidgetModule } from './anywidget';
import { renderChat } from './chat';
import { renderCompare } from './compare';
import { type IViewContext, Lifetime } from './dom';
import { renderGpus } from './gpus';
import { renderJob } from './job';
import { renderJobs } from './jobs';
import { pageTransport } from './transport';

/** The renderer of each `_view` (forgather_lab/widgets/_live.py, chat.py). */
const VIEWS: Record<string, (ctx: IViewContext) => void> = {
  gpus: renderGpus,
  jobs: renderJobs,
  job: renderJob,
  chat: renderChat,
  compare: renderCompare
};

const widgetModule: IWidgetModule = {
  render({ model, el }: IRenderProps): () => void {
    const name = model.get('_view') ?? '';
    el.classList.add('forgather-widget', `fg-${name}`);
    const view = VIEWS[name];
    if (!view) {
      el.textContent = `unknown view ${name}`;
      return () => undefined;
    }
    const life = new Lifetime();
    const client = new ForgatherClient(pageTransport(model.get('base_url') ?? ''));
    view({ widget: model, el, life, client });
    return () => life.stop();
  }
};

export default widgetModule;
