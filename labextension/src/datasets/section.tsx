/** The Datasets section of the Forgather sidebar: a way into the Datasets view. */
import { type TranslationBundle } from '@jupyterlab/translation';
import { type CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { DatasetsCommandIDs } from './commands';

export function DatasetsSection(props: {
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { commands, trans } = props;
  return (
    <section className="jp-forgather-section" aria-label={trans.__('Datasets')}>
      <header className="jp-forgather-section-header">
        <h3>{trans.__('Datasets')}</h3>
        <span className="jp-forgather-header-actions">
          <button
            className="jp-forgather-link-button"
            onClick={() => void commands.execute(DatasetsCommandIDs.open)}
          >
            {trans.__('Open Datasets')}
          </button>
        </span>
      </header>
      <p className="jp-forgather-muted">
        {trans.__('Dataset servers serve local files and Hugging Face datasets to jobs.')}
      </p>
    </section>
  );
}
