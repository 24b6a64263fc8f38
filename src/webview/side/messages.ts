import type { FromSideView } from '../../protocol/side-view';

/** The side view's outlet to the host. */
export interface SidePoster { post(message: FromSideView): void }
