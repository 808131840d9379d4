/**
 * `ForgatherClient`: every call the front ends make, by domain, over one
 * transport. Models (and commands) own one; views never call it.
 */
import { ApiClient, type ITransport } from './core';
import { GpusApi } from './gpus';
import { HealthApi } from './health';
import { InferenceApi } from './inference';
import { JobsApi } from './jobs';
import { ProjectsApi } from './projects';
import { RunsApi } from './runs';
import { ServicesApi } from './services';

export class ForgatherClient {
  constructor(readonly transport: ITransport) {
    this.api = new ApiClient(transport);
    this.health = new HealthApi(this.api);
    this.jobs = new JobsApi(this.api);
    this.gpus = new GpusApi(this.api);
    this.projects = new ProjectsApi(this.api);
    this.inference = new InferenceApi(this.api);
    this.services = new ServicesApi(this.api);
    this.runs = new RunsApi(this.api);
  }

  /** Typed calls by endpoint, for what the domains do not cover. */
  readonly api: ApiClient;
  readonly health: HealthApi;
  readonly jobs: JobsApi;
  readonly gpus: GpusApi;
  readonly projects: ProjectsApi;
  readonly inference: InferenceApi;
  readonly services: ServicesApi;
  readonly runs: RunsApi;
}

export { ForgatherApiError, describeError } from './core';
export type { ITransport } from './core';
