/**
 * What the runs surfaces ask the Lab to do (open a Compare view, the
 * Re-run… dialog, a job view), set once by `setupRuns`. A module-level
 * hook, so a Runs table mounted by another feature (the config view) needs
 * no command registry handed through it.
 */
export interface IRunsActions {
  compare(jobIds: string[]): void;
  rerun(jobId: string): void;
  openJob(jobId: string): void;
}

let current: IRunsActions | null = null;

export function setRunsActions(actions: IRunsActions): void {
  current = actions;
}

/** The actions, or null before the runs feature is set up (the buttons then do nothing). */
export function runsActions(): IRunsActions | null {
  return current;
}
