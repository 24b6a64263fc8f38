// The one HTML page every MechLens surface serves: the extension's webviews (extension/webview-html.ts)
// and the CLI's self-contained report (cli/report.ts). Both put the same Content-Security-Policy
// meta first in <head> and mount the app on the same element; only the policy and the tags differ.

/** Text safe inside an element or a double- or single-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface HtmlPage {
  /** The Content-Security-Policy, as in a header (escaped here). */
  csp: string;
  /** Page title (escaped here). */
  title: string;
  /** `<meta name="generator">` content, when the page should say what made it (escaped here). */
  generator?: string;
  /** Ready-made tags at the end of <head>: stylesheets. */
  head: string;
  /** Ready-made attributes of <body>, each with its leading space. */
  bodyAttributes?: string;
  /** Ready-made tags after the app's mount point: data blocks and scripts. */
  body: string;
}

export function htmlPage(page: HtmlPage): string {
  const generator = page.generator === undefined ? '' : `<meta name="generator" content="${escapeHtml(page.generator)}">\n`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(page.csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${generator}<title>${escapeHtml(page.title)}</title>
${page.head}
</head>
<body${page.bodyAttributes ?? ''}>
<div id="app" role="main"></div>
${page.body}
</body>
</html>`;
}
