/**
 * Trainers started outside the queue (`job_type: "external"`): they register
 * themselves through the reporter, so the Lab only removes the stale ones.
 */
import { type JupyterFrontEnd } from '@jupyterlab/application';
import { type ICommandPalette, Notification, showErrorMessage } from '@jupyterlab/apputils';
import { type ITranslator, nullTranslator } from '@jupyterlab/translation';

import { type ForgatherClient } from './client';
import { CommandIDs } from './commands';

/** The command's id (to move into `CommandIDs` of commands.ts). */

/** Register "Remove Stale External Jobs" (the Jobs list refreshes on `jobs_cleaned`). */
export function setupExternalJobs(
  app: JupyterFrontEnd,
  opts: { client: ForgatherClient; palette: ICommandPalette | null; translator: ITranslator | null }
): void {
  const trans = (opts.translator ?? nullTranslator).load('forgather_lab');
  app.commands.addCommand(CommandIDs.removeStaleExternal, {
    label: trans.__('Remove Stale'),
    caption: trans.__('Delete the ended trainers that registered from outside the queue'),
    execute: async () => {
      try {
        const result = await opts.client.api.post('jobs/external/cleanup');
        Notification.info(
          result.removed
            ? trans._n(
                'Removed %1 ended external job',
                'Removed %1 ended external jobs',
                result.removed
              )
            : trans.__('No ended external jobs to remove'),
          { autoClose: 3000 }
        );
      } catch (error) {
        await showErrorMessage(
          trans.__('Could not remove stale external jobs'),
          error instanceof Error ? error.message : String(error)
        );
      }
    }
  });
  opts.palette?.addItem({ command: CommandIDs.removeStaleExternal, category: 'Forgather' });
}
