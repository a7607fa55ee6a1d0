import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useFeatureStore } from '@mlops/client';

/**
 * A feature a drift event names: a link to the Feature Store's feature (and its source dataset)
 * where one by that name exists, plain text where none does.
 */
export function FeatureLink({ name }: { name: string }) {
  const feature = useQuery({ ...useFeatureStore().queries.feature(name), retry: false });
  const found = feature.data?.data;
  if (!found) return <>{name}</>;
  const dataset = found.latest_version.source.dataset_id;
  return (
    <>
      <Link to={`/features/${encodeURIComponent(name)}`}>{name}</Link>
      {dataset && (
        <>
          {' '}
          (<Link to={`/datasets/${encodeURIComponent(dataset)}`}>{dataset}</Link>)
        </>
      )}
    </>
  );
}
