import { type ContentUnit, type PushStep, type SyncOutcome, type SyncRequest, registryPush, syncRepository } from './content/index.js';

/**
 * The seam between the REST core and the content side: the core owns objects, versions and tasks;
 * a backend turns a remote into the repository's next content and says what a `docker push`
 * leaves. The default is the real one (`content/`); tests may put a stand-in upstream here.
 * A failed sync rejects with `SyncError` (its description is the task's error text).
 */
export interface ContentBackend {
  sync(request: SyncRequest): Promise<SyncOutcome>;
  /** The versions a push of `tag` adds to a push repository holding `present`. */
  push(tag: string, present: ContentUnit[]): PushStep[];
}

export const contentBackend: ContentBackend = {
  sync: syncRepository,
  push: (tag, present) => registryPush(tag, present),
};
