import { LIFECYCLE_API } from '../routes';
import type { ModelVersionDto } from './models.dto';
import type { ModelDocument, ModelVersionDocument, ModelVersionView } from './models.projection';

export const presentModelVersion = (view: ModelVersionView): ModelVersionDto => view;
export const presentListedModelVersion = ({ _id, stream_version: _streamVersion, ...view }: ModelVersionDocument): ModelVersionDto => view;
export const modelVersionLocation = (modelName: string, version: number) => `/${LIFECYCLE_API}/models/${encodeURIComponent(modelName)}/${version}`;

/** The version a command was about, as the model's read model shows it after the command. */
export const presentModelVersionNumbered = (versionNumber: number) => (doc: ModelDocument) =>
  presentModelVersion(doc.versions.find((v) => v.version === versionNumber)!);
