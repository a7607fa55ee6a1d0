import { TrafficAllocationEvent } from '@mlops/events';
import { DeciderSpecification } from '@mlops/testing';
import { allocatedPercent, TrafficAllocationCommand, trafficAllocationDecider, trafficAllocationStreamId } from './traffic-allocation.decider';

const model = { model_name: 'churn', environment: 'production' as const };
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';

const allocate = (deployment_id: string, traffic_percent: number): TrafficAllocationCommand => ({ type: 'AllocateTraffic', data: { ...model, deployment_id, traffic_percent } });
const release = (deployment_id: string, reason: 'terminated' | 'failed' | 'rolled_back' = 'terminated'): TrafficAllocationCommand => ({
  type: 'ReleaseTraffic',
  data: { ...model, deployment_id, reason },
});
const allocated = (deployment_id: string, traffic_percent: number): TrafficAllocationEvent => ({ type: 'TrafficAllocated', data: { ...model, deployment_id, traffic_percent } });
const released = (deployment_id: string, traffic_percent: number, reason: 'terminated' | 'failed' | 'rolled_back' | 'superseded' = 'terminated'): TrafficAllocationEvent => ({
  type: 'TrafficReleased',
  data: { ...model, deployment_id, traffic_percent, reason },
});

const spec = DeciderSpecification.for(trafficAllocationDecider);

describe('traffic allocation decider (the one owner of the 100% cap)', () => {
  it('names one stream per model and environment', () => {
    expect(trafficAllocationStreamId('churn', 'production')).toBe('traffic_allocation:production:churn');
    expect(trafficAllocationStreamId('churn', 'staging')).not.toBe(trafficAllocationStreamId('churn', 'production'));
  });

  it('allocates a share while the total stays at or under 100%', () => {
    spec.given().when(allocate(A, 100)).then([allocated(A, 100)]);
    spec.given(allocated(A, 70)).when(allocate(B, 30)).then([allocated(B, 30)]);
  });

  it('refuses a share that would take the total over 100% (conflict, 409), naming what is taken', () => {
    spec.given(allocated(A, 70), allocated(B, 30)).when(allocate(C, 1)).thenThrows('conflict', /already take 100% of the traffic; 1% more exceeds 100%/);
    spec.given(allocated(A, 50)).when(allocate(B, 51)).thenThrows('conflict', /50%/);
  });

  it('decides nothing for a repeat of the same allocation', () => {
    spec.given(allocated(A, 40)).when(allocate(A, 40)).thenNothing();
  });

  it('frees a share on release; releasing what is not held decides nothing', () => {
    spec.given(allocated(A, 70), allocated(B, 30)).when(release(B)).then([released(B, 30)]);
    spec.given(allocated(A, 70), allocated(B, 30), released(B, 30)).when(allocate(C, 30)).then([allocated(C, 30)]);
    spec.given(allocated(A, 70), released(A, 70)).when(release(A, 'failed')).thenNothing();
    spec.given().when(release(A)).thenNothing();
  });

  it('keeps why a share was given back', () => {
    spec.given(allocated(A, 20)).when(release(A, 'rolled_back')).then([released(A, 20, 'rolled_back')]);
  });

  it('promotes one deployment to 100%, releasing every other share in the same commit', () => {
    spec
      .given(allocated(A, 60), allocated(B, 30), allocated(C, 10))
      .when({ type: 'PromoteTraffic', data: { ...model, deployment_id: C } })
      .then([released(A, 60, 'superseded'), released(B, 30, 'superseded'), allocated(C, 100)]);
  });

  it('decides nothing for a promotion already applied', () => {
    spec.given(allocated(A, 60), allocated(C, 10), released(A, 60, 'superseded'), allocated(C, 100)).when({ type: 'PromoteTraffic', data: { ...model, deployment_id: C } }).thenNothing();
  });

  it('folds the shares: a re-allocation replaces, a release removes', () => {
    const { state } = spec.given(allocated(A, 60), allocated(B, 30), released(A, 60), allocated(B, 100));
    expect(state.shares).toEqual([{ deployment_id: B, traffic_percent: 100 }]);
    expect(allocatedPercent(state)).toBe(100);
  });
});
