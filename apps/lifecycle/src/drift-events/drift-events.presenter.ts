import { LIFECYCLE_API } from '../routes';
import type { DriftEventDto } from './drift-events.dto';
import type { DriftEventDocument } from './drift-events.projection';

export const presentDriftEvent = ({ _id, ...drift }: DriftEventDocument): DriftEventDto => drift;
export const driftEventLocation = (id: string) => `/${LIFECYCLE_API}/drift-events/${id}`;
