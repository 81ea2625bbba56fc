/** Nesting levels of schema rows that get their own indentation (deeper rows share the last). */
export const MAX_INDENT = 12;

/** `td.indent-N` rules: the indentation of schema rows by depth (no inline style attributes: CSP). */
const indents = Array.from({ length: MAX_INDENT + 1 }, (_, depth) => `table.schema td.indent-${depth} { padding-left: ${0.5 + depth * 1.25}rem; }`).join('\n');

/** The page's stylesheet (inlined; a constant, never document content). */
export const styles = `
:root { --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --bg-soft: #f6f8fa; --accent: #0969da; --send: #1a7f37; --receive: #8250df; --dl: #fff8c5; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); display: flex; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
code { background: var(--bg-soft); padding: 0 0.25em; border-radius: 4px; }
pre { background: var(--bg-soft); padding: 0.75rem; border-radius: 6px; overflow-x: auto; }
pre code { padding: 0; background: none; }
.toc { position: sticky; top: 0; align-self: flex-start; height: 100vh; overflow-y: auto; width: 19rem; flex: none; padding: 1rem; border-right: 1px solid var(--line); font-size: 0.9em; background: var(--bg-soft); }
.toc ul { list-style: none; padding-left: 0.75rem; margin: 0.25rem 0; }
.toc > ul { padding-left: 0; }
.toc h2 { margin-top: 0; font-size: 1.1em; }
main { flex: 1; min-width: 0; padding: 1rem 2rem 3rem; max-width: 75rem; }
h1 .version { font-size: 0.55em; color: var(--muted); font-weight: normal; }
h2 { border-bottom: 1px solid var(--line); padding-bottom: 0.25rem; margin-top: 2.5rem; }
h5 { margin: 1rem 0 0.4rem; font-size: 0.95em; }
.item { border: 1px solid var(--line); border-radius: 8px; padding: 0 1rem 0.75rem; margin: 1rem 0; }
.item:target { border-color: var(--accent); box-shadow: 0 0 0 2px rgba(9, 105, 218, 0.2); }
.muted { color: var(--muted); font-weight: normal; }
.fields { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0.5rem 0; }
.fields dt { font-weight: 600; color: var(--muted); }
.fields dd { margin: 0; }
.fields dd p { margin: 0; }
table { border-collapse: collapse; margin: 0.5rem 0; width: 100%; }
th, td { border: 1px solid var(--line); padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
thead th { background: var(--bg-soft); }
table.kv { width: auto; }
table.kv th { font-weight: 600; }
tr.dead-letter { background: var(--dl); }
table.schema td.prop { white-space: nowrap; }
table.schema .parent { color: var(--muted); font-size: 0.85em; }
table.schema tr.depth-0 { background: var(--bg-soft); }
ul.constraints { margin: 0; padding-left: 1rem; }
.badge { display: inline-block; font-size: 0.75em; padding: 0.1em 0.5em; border-radius: 1em; color: #fff; vertical-align: middle; text-transform: uppercase; }
.badge-send { background: var(--send); }
.badge-receive { background: var(--receive); }
.reply { border-left: 3px solid var(--accent); padding-left: 0.75rem; }
.label { font-weight: 600; margin: 0.5rem 0 0; }
footer { margin-top: 3rem; color: var(--muted); font-size: 0.85em; }
@media (max-width: 60rem) { body { display: block; } .toc { position: static; width: auto; height: auto; border-right: 0; } }
${indents}
`;
