/** Every command id of the extension, in one place. */
export namespace CommandIDs {
  export const openPanel = 'forgather:open-panel';
  export const refresh = 'forgather:refresh';
  export const projectsRefresh = 'forgather:projects-refresh';
  export const projectsOpenConfig = 'forgather:projects-open-config';
  export const projectsOpenFile = 'forgather:projects-open-file';
  export const projectsNewProject = 'forgather:projects-new-project';
  export const projectsNewConfig = 'forgather:projects-new-config';
  export const projectsNewTemplate = 'forgather:projects-new-template';
  export const projectsDuplicateConfig = 'forgather:projects-duplicate-config';
  export const projectsDelete = 'forgather:projects-delete';
  export const projectsEditOverrides = 'forgather:projects-edit-overrides';
  export const projectsCleanOutput = 'forgather:projects-clean-output';
  export const projectsAddRoot = 'forgather:projects-add-root';
  export const projectsRemoveRoot = 'forgather:projects-remove-root';
  export const projectsNewWorkspace = 'forgather:projects-new-workspace';
  export const newCommandJob = 'forgather:new-command-job';
  export const queueFile = 'forgather:queue-file';
  export const runConfig = 'forgather:run-config';
  export const openJob = 'forgather:open-job';
  export const jobControl = 'forgather:job-control';
  export const jobDelete = 'forgather:job-delete';
  export const jobCancel = 'forgather:job-cancel';
  export const jobsCleanup = 'forgather:jobs-cleanup';
  export const schedulerToggle = 'forgather:scheduler-toggle';
  export const gpuToggle = 'forgather:gpu-toggle';
  export const gpuMinPriority = 'forgather:gpu-min-priority';
  export const gpuKill = 'forgather:gpu-kill';
  export const openChat = 'forgather:open-chat';
  export const serveInference = 'forgather:serve-inference';
  export const openTensorBoard = 'forgather:open-tensorboard';
  export const newService = 'forgather:new-service';
  export const launchService = 'forgather:launch-service';
  export const openDocs = 'forgather:open-docs';
  export const openEvaluations = 'forgather:open-evaluations';
}
