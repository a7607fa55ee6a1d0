import 'reflect-metadata';
import { runApp } from '@mlops/platform';
import { createMonitorApp } from './app';

void runApp('monitor', () => createMonitorApp());
