/** JupyterLab theme colours read from CSS variables, with fallbacks for other hosts. */

export function cssVar(name: string, fallback: string, node: Element = document.body): string {
  return getComputedStyle(node).getPropertyValue(name).trim() || fallback;
}

/**
 * Call `onChange` when Lab's theme changes (the body's theme attributes);
 * returns the function that stops watching.
 */
export function watchTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.body, {
    attributes: true,
    attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light']
  });
  return () => observer.disconnect();
}
