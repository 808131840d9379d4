/**
 * Markdown-lite for chat replies in any anywidget host (no rendermime
 * there): fenced blocks, `code` and **bold**; everything is escaped first,
 * so a reply can never inject markup.
 */
export function mdLite(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return escaped
    .replace(/```[a-z]*\n?([\s\S]*?)```/g, '<pre><code>$1</code></pre>')
    .replace(/`([^`\n]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*\n]+)\*\*/g, '<b>$1</b>');
}
