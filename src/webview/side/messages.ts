import type { FromSideView } from '../../protocol/side-view';
import type { RequestClient } from '../../protocol/ipc';

/** The side view's outlet to the host: plain messages, and requests that get a reply. */
export interface SidePoster {
  post(message: FromSideView): void;
  requests: RequestClient;
}
