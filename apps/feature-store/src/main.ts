import 'reflect-metadata';
import { runApp } from '@mlops/platform';
import { createFeatureStoreApp } from './app';

void runApp('feature-store', () => createFeatureStoreApp());
