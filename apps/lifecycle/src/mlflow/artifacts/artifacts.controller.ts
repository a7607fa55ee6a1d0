import { Controller, Get, Put, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { streamBodiesOf } from '@mlops/platform';
import { LIFECYCLE_API } from '../../routes';
import { MlflowController, MLFLOW_ARTIFACTS_PREFIXES } from '../mlflow-http';
import { invalidInput, notFound } from '@mlops/event-sourcing';
import { artifactPath } from './artifact-path';
import { ArtifactsService } from './artifacts.service';

/** `/api/2.0/mlflow-artifacts/artifacts/<path>` → `<path>` (segments URL-decoded). */
const FILE_PATH = /^\/(?:ajax-)?api\/2\.0\/mlflow-artifacts\/artifacts\/(.+)$/;
const LIFECYCLE_FILE_PATH = new RegExp(`^/${LIFECYCLE_API.replace(/\//g, '\\/')}/artifacts/(.+)$`);

// Uploads are streamed to the store by the handler, never parsed as JSON.
streamBodiesOf(FILE_PATH);

const pathOf = (req: Request, pattern: RegExp) => {
  const match = pattern.exec(req.path);
  if (!match) throw notFound(`No artifact path in ${req.path}`);
  let decoded: string;
  try {
    decoded = match[1].split('/').map(decodeURIComponent).join('/');
  } catch {
    // A stray % in the path is the caller's error, not ours.
    throw invalidInput(`The artifact path ${match[1]} is not valid percent-encoding`);
  }
  return artifactPath(decoded);
};

async function sendFile(service: ArtifactsService, path: string, res: Response) {
  const file = await service.store.get(path);
  res.status(200).setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Content-Length', String(file.size));
  await pipeline(file.body, res);
}

/** MLflow's artifact proxy (what `mlflow-artifacts:/` URIs resolve to): PUT, GET and list of files. */
@MlflowController('', MLFLOW_ARTIFACTS_PREFIXES)
export class MlflowArtifactsController {
  constructor(private readonly artifacts: ArtifactsService) {}

  @Get('artifacts')
  async list(@Query('path') path: string | undefined) {
    const files = await this.artifacts.store.list(artifactPath(path ?? '', { allowRoot: true }));
    return files.length ? { files } : {};
  }

  @Put('artifacts/*path')
  async upload(@Req() req: Request) {
    await this.artifacts.upload(pathOf(req, FILE_PATH), req);
    return {};
  }

  @Get('artifacts/*path')
  async download(@Req() req: Request, @Res() res: Response) {
    await sendFile(this.artifacts, pathOf(req, FILE_PATH), res);
  }
}

/** The same files through our own API: the bytes, with the size and sha256 the event log recorded. */
@ApiTags('artifacts')
@Controller(`${LIFECYCLE_API}/artifacts`)
export class ArtifactsController {
  constructor(private readonly artifacts: ArtifactsService) {}

  @Get('*path')
  @ApiOperation({ summary: 'Download an artifact file stored through the MLflow artifact proxy; X-Artifact-Sha256 is the recorded digest' })
  @ApiProduces('application/octet-stream')
  @ApiParam({ name: 'path', description: 'The file’s path under the artifact root, slashes included', schema: { type: 'string' } })
  @ApiOkResponse({ description: 'The file’s bytes', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } })
  async download(@Req() req: Request, @Res() res: Response) {
    const path = pathOf(req, LIFECYCLE_FILE_PATH);
    const recorded = await this.artifacts.recorded(path);
    if (recorded.sha256) res.setHeader('X-Artifact-Sha256', recorded.sha256);
    await sendFile(this.artifacts, path, res);
  }
}
