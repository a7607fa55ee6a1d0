import type { EventDefinition } from './catalog';
import type { DeploymentEnvironment } from './lifecycle.events';
import trafficAllocated from '../schemas/lifecycle/traffic_allocation.allocated.v1.json';
import trafficReleased from '../schemas/lifecycle/traffic_allocation.released.v1.json';

/** Why a deployment gave its share of the traffic back. */
export type TrafficReleaseReason = 'terminated' | 'failed' | 'rolled_back' | 'superseded';

export interface TrafficAllocatedData {
  model_name: string;
  environment: DeploymentEnvironment;
  deployment_id: string;
  /** The deployment's whole share after the event (a promotion raises it to 100). */
  traffic_percent: number;
}

export interface TrafficReleasedData {
  model_name: string;
  environment: DeploymentEnvironment;
  deployment_id: string;
  /** The share given back. */
  traffic_percent: number;
  reason: TrafficReleaseReason;
}

/** Events of a `traffic_allocation:<environment>:<model_name>` stream: the one owner of the 100% cap. */
export type TrafficAllocationEvent =
  | { type: 'TrafficAllocated'; data: TrafficAllocatedData }
  | { type: 'TrafficReleased'; data: TrafficReleasedData };

export const trafficAllocationEventDefinitions: EventDefinition[] = [
  { name: 'TrafficAllocated', type: 'mlops.lifecycle.traffic_allocation.allocated.v1', schema: trafficAllocated },
  { name: 'TrafficReleased', type: 'mlops.lifecycle.traffic_allocation.released.v1', schema: trafficReleased },
];
