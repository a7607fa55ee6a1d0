import { FEATURE_STORE_API } from '../routes';
import type { FeatureDto, FeatureVersionDto } from './features.dto';
import type { FeatureDocument, FeatureVersionDocument } from './features.projection';

export const presentFeature = ({ _id, ...feature }: FeatureDocument): FeatureDto => feature;
export const presentFeatureVersion = ({ _id, ...version }: FeatureVersionDocument): FeatureVersionDto => version;
export const featureLocation = (name: string) => `/${FEATURE_STORE_API}/${encodeURIComponent(name)}`;
export const featureVersionLocation = (name: string, version: number) => `${featureLocation(name)}/versions/${version}`;
