/** Command ids of the Datasets view. */
export namespace DatasetsCommandIDs {
  export const open = 'forgather:open-datasets';
  export const addServer = 'forgather:add-dataset-server';
}
