import { NameClaimEvent } from '@mlops/events';
import { DeciderSpecification } from '@mlops/testing';
import { HolderStanding, NameClaimCommand, nameClaimDecider, nameClaimStreamId } from './name-claim.decider';

describe('name claim decider', () => {
  const { given } = DeciderSpecification.for(nameClaimDecider);
  const claimedBy = (key: string, at_version = 3): NameClaimEvent => ({ type: 'NameClaimed', data: { kind: 'experiment', name: 'churn', key, at_version } });
  const claim = (key: string, holder_standing: HolderStanding | null = null): NameClaimCommand => ({
    type: 'ClaimName',
    data: { kind: 'experiment', name: 'churn', key, at_version: 3, holder_standing },
  });

  it('gives a free name to its first claimant and keeps it from others while its holder is called it or may still be', () => {
    given().when(claim('a')).then([claimedBy('a')]);
    given(claimedBy('a')).when(claim('b', 'called')).thenThrows(/Experiment churn already exists/);
    given(claimedBy('a')).when(claim('b', 'pending')).thenThrows(/already exists/);
  });

  it('keeps a name from a second create under the same key while the first may still land', () => {
    const create = (holder_standing: HolderStanding | null): NameClaimCommand => ({
      type: 'ClaimName',
      data: { kind: 'experiment', name: 'churn', key: 'churn', at_version: 0, created: { description: '' }, holder_standing },
    });
    given(claimedBy('churn', 0)).when(create('pending')).thenThrows(/already exists/);
    given(claimedBy('churn', 0)).when(create('gone')).then([{ type: 'NameClaimed', data: { kind: 'experiment', name: 'churn', key: 'churn', at_version: 0, created: { description: '' } } }]);
  });

  it('lets a stale claim be taken over, and its own holder claim again at a new version', () => {
    given(claimedBy('a')).when(claim('b', 'gone')).then([claimedBy('b')]);
    given(claimedBy('a', 1)).when(claim('a')).then([claimedBy('a')]);
  });

  it('releases a name only for its holder; a released name is free', () => {
    const release = (key: string): NameClaimCommand => ({ type: 'ReleaseName', data: { kind: 'experiment', name: 'churn', key } });
    given(claimedBy('a')).when(release('a')).then([{ type: 'NameReleased', data: { kind: 'experiment', name: 'churn', key: 'a' } }]);
    given(claimedBy('a')).when(release('b')).thenNothing();
    given(claimedBy('a'), { type: 'NameReleased', data: { kind: 'experiment', name: 'churn', key: 'a' } }).when(claim('b')).then([claimedBy('b')]);
  });

  it('keeps experiment and model names on separate streams', () => {
    expect(nameClaimStreamId('experiment', 'churn')).toBe('experiment_name:churn');
    expect(nameClaimStreamId('registered_model', 'churn')).toBe('registered_model_name:churn');
  });
});
