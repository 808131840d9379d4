/** Markdown through JupyterLab's rendermime (no second markdown library). */
import { type IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import * as React from 'react';

/** Renders `text` as markdown; re-renders when it changes (streaming). */
export function Markdown(props: {
  text: string;
  rendermime: IRenderMimeRegistry | null;
}): JSX.Element {
  const host = React.useRef<HTMLDivElement>(null);
  const { rendermime, text } = props;
  React.useEffect(() => {
    const node = host.current;
    if (!node || !rendermime) {
      return;
    }
    const renderer = rendermime.createRenderer('text/markdown');
    let disposed = false;
    void renderer
      .renderModel(new MimeModel({ data: { 'text/markdown': text }, trusted: false }))
      .then(() => {
        if (!disposed) {
          node.replaceChildren(renderer.node);
        }
      });
    return () => {
      disposed = true;
      renderer.dispose();
    };
  }, [text, rendermime]);
  if (!rendermime) {
    return <pre className="jp-forgather-chat-plain">{text}</pre>;
  }
  return <div ref={host} className="jp-forgather-chat-markdown" />;
}
