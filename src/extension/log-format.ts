// Formatting shared by the log and the status bar; no vscode import, so it is testable under Node.

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
