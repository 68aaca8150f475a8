import type { EventDataStoreEntry, PlanStep, Snapshot, TrailEntry } from '../engine/index.js';
import { type ConfigurationPart, configurationParts, PART_WRITTEN_BY } from '../engine/parts.js';
import type { StepGuard, StepResult } from './apply.js';
import { type ClientProvider, reloadEventDataStore, reloadTrail } from './loader.js';

function plannedEntry(snapshot: Snapshot, arn: string): TrailEntry | EventDataStoreEntry | undefined {
  return (
    snapshot.trails.find((t) => t.trail.TrailARN === arn) ??
    snapshot.eventDataStores.find((s) => s.eventDataStore.EventDataStoreArn === arn)
  );
}

/** The parts this run has already written to the resource: a difference there is our own doing. */
function writtenBy(step: PlanStep, done: readonly StepResult[]): Set<ConfigurationPart> {
  return new Set(
    done
      .filter((d) => d.status === 'ok' && d.step.resource === step.resource)
      .map((d) => PART_WRITTEN_BY[d.step.operation]),
  );
}

/**
 * A guard that re-reads the resource before each write and stops its steps when someone changed it
 * since `snapshot` was read (the state the plan was made from): PutEventSelectors and the other
 * writes replace a whole part unconditionally, so writing over an unseen change would lose it.
 * Only parts the snapshot knew are compared (a part not read is not judged, and a plan never
 * writes one); parts this run already wrote are left out.
 */
export function rereadGuard(clients: ClientProvider, snapshot: Snapshot): StepGuard {
  return async (step, done) => {
    const planned = plannedEntry(snapshot, step.resource);
    if (!planned) return undefined;
    const name = step.resource.split('/').pop() ?? step.resource;
    const fresh =
      'trail' in planned
        ? await reloadTrail(clients, step.resource, step.region)
        : await reloadEventDataStore(clients, step.resource, step.region);
    if (!fresh) return `${name} no longer exists`;
    const before = configurationParts(planned);
    const now = configurationParts(fresh as TrailEntry | EventDataStoreEntry);
    const ours = writtenBy(step, done);
    const changed = (Object.keys(before) as ConfigurationPart[]).filter(
      (part) => before[part] !== undefined && !ours.has(part) && before[part] !== now[part],
    );
    if (changed.length === 0) return undefined;
    return `${name} changed since the plan was made (${changed.join(', ')} differ from what was read); run apply again to plan from its current state`;
  };
}
