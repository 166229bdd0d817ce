import { type ContentUnit, unitId } from '../units.js';
import { buildImage, type Image, imageUnits } from './image.js';

/** One new repository version of a push repository: what it adds to and removes from the previous one. */
export interface PushStep {
  add: ContentUnit[];
  remove: ContentUnit[];
}

/**
 * What `skopeo copy ... docker://<registry>/<name>:<tag>` leaves in Pulp's push repository:
 * each blob upload the repository lacks makes a version holding that blob (layers, then the
 * config), then the manifest PUT makes one version adding the manifest and the tag (replacing
 * a tag of that name on another manifest). Steps that would change nothing are left out, so a
 * second tag of the same image adds just one version. `present` is the push repository's
 * latest content (empty for a new repository); `image` defaults to the fixed test image.
 */
export function registryPush(tag: string, present: ContentUnit[], image: Image = buildImage()): PushStep[] {
  const have = new Set(present.map(unitId));
  const units = imageUnits(image, tag);
  const steps: PushStep[] = [];
  const uploads = [...units.blobs.slice(1), units.blobs[0]!];
  for (const blob of uploads) {
    if (have.has(unitId(blob))) continue;
    steps.push({ add: [blob], remove: [] });
    have.add(unitId(blob));
  }
  const add = [units.manifest, units.tag].filter((u) => !have.has(unitId(u)));
  const remove = present.filter((u) => u.type === 'container.tag' && u.fields.name === tag && unitId(u) !== unitId(units.tag));
  if (add.length || remove.length) steps.push({ add, remove });
  return steps;
}
