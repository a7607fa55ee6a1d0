import 'reflect-metadata';
import { runApp } from '@mlops/platform';
import { createGatewayApp } from './app';

void runApp('gateway', () => createGatewayApp());
