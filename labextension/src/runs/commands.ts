/** Command ids of the runs feature (compare, re-run). */
export namespace RunsCommandIDs {
  export const compare = 'forgather:compare-jobs';
  export const rerun = 'forgather:job-rerun';
}
