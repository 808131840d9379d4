/** Every command id of the extension, in one place. */
export namespace CommandIDs {
  export const openPanel = 'forgather:open-panel';
  export const refresh = 'forgather:refresh';
}
