import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { notSupported } from '../../domain/errors.js';
import { dualRoute, type DualRoute } from '../route-family.js';

/**
 * Stream features that need an outside service Herald does not have. Each is served on both
 * route families and answers 501 with code 4 (domain/errors.ts NotSupportedError) and a
 * message naming what is missing: never a 404, which reads as "wrong URL", and never a silent
 * success that would leave an app believing a push was sent or a file stored.
 */
interface Refusal {
  method: HTTPMethods;
  path: string;
  v2Prefix: DualRoute['v2Prefix'];
  /** Stream's operation id (the spec's), which the error message names. */
  operationId: string;
  /** The SDK methods that call it, for the reader. */
  sdk: string;
  reason: string;
}

const PUSH = 'Herald does not send push notifications: it has no push provider (APNs, Firebase, Huawei, Xiaomi), so it keeps no devices, push providers or push templates';
const QUEUES = 'Herald does not deliver events to Amazon SQS or SNS: it has no AWS integration; it delivers events to webhooks (webhook_url, event_hooks)';
const TRANSLATION = 'Herald does not translate messages: it has no translation service';
const FILES = 'Herald does not store files or images: it has no file storage or CDN; store them where your app does and send their URLs as attachments';
const OPEN_GRAPH = 'Herald does not fetch link previews: it makes no requests to the URLs in messages (no Open Graph scraper)';
const AI = 'Herald has no AI moderation service (text, image or video checks); users report content with POST /moderation/flag';
const STORAGE = 'Herald does not write to external storage: it has no Amazon S3 (or other bucket) integration';
const ACTIONS = 'Herald runs no message actions: giphy and other commands need an outside service (a Giphy search, a custom command\'s webhook), which it does not have';
const IMPORTS = 'Herald does not import from files on Stream\'s storage: import users with `herald import-users` (docs: README, Importing users)';

const refusals: readonly Refusal[] = [
  { method: 'POST', path: '/devices', v2Prefix: '/api/v2', operationId: 'CreateDevice', sdk: 'addDevice, createDevice', reason: PUSH },
  { method: 'GET', path: '/devices', v2Prefix: '/api/v2', operationId: 'ListDevices', sdk: 'getDevices, listDevices', reason: PUSH },
  { method: 'DELETE', path: '/devices', v2Prefix: '/api/v2', operationId: 'DeleteDevice', sdk: 'removeDevice, deleteDevice', reason: PUSH },
  { method: 'POST', path: '/check_push', v2Prefix: '/api/v2', operationId: 'CheckPush', sdk: 'testPushSettings, checkPush', reason: PUSH },
  { method: 'GET', path: '/push_providers', v2Prefix: '/api/v2', operationId: 'ListPushProviders', sdk: 'listPushProviders', reason: PUSH },
  { method: 'POST', path: '/push_providers', v2Prefix: '/api/v2', operationId: 'UpsertPushProvider', sdk: 'upsertPushProvider', reason: PUSH },
  { method: 'DELETE', path: '/push_providers/:type/:name', v2Prefix: '/api/v2', operationId: 'DeletePushProvider', sdk: 'deletePushProvider', reason: PUSH },
  { method: 'POST', path: '/push_preferences', v2Prefix: '/api/v2', operationId: 'UpdatePushNotificationPreferences', sdk: 'setPushPreferences, updatePushNotificationPreferences', reason: PUSH },
  { method: 'GET', path: '/push_templates', v2Prefix: '/api/v2', operationId: 'GetPushTemplates', sdk: 'getPushTemplates', reason: PUSH },
  { method: 'POST', path: '/push_templates', v2Prefix: '/api/v2', operationId: 'UpsertPushTemplate', sdk: 'upsertPushTemplate', reason: PUSH },
  { method: 'POST', path: '/check_sqs', v2Prefix: '/api/v2', operationId: 'CheckSQS', sdk: 'testSQSSettings, checkSQS', reason: QUEUES },
  { method: 'POST', path: '/check_sns', v2Prefix: '/api/v2', operationId: 'CheckSNS', sdk: 'testSNSSettings, checkSNS', reason: QUEUES },
  { method: 'POST', path: '/messages/:id/translate', v2Prefix: '/api/v2/chat', operationId: 'TranslateMessage', sdk: 'translateMessage', reason: TRANSLATION },
  { method: 'POST', path: '/translate', v2Prefix: '/api/v2/chat', operationId: 'Translate', sdk: 'translate', reason: TRANSLATION },
  { method: 'POST', path: '/messages/:id/action', v2Prefix: '/api/v2/chat', operationId: 'RunMessageAction', sdk: 'channel.sendAction, runMessageAction', reason: ACTIONS },
  { method: 'POST', path: '/channels/:type/:id/file', v2Prefix: '/api/v2/chat', operationId: 'UploadChannelFile', sdk: 'channel.sendFile, uploadChannelFile', reason: FILES },
  { method: 'DELETE', path: '/channels/:type/:id/file', v2Prefix: '/api/v2/chat', operationId: 'DeleteChannelFile', sdk: 'channel.deleteFile, deleteChannelFile', reason: FILES },
  { method: 'POST', path: '/channels/:type/:id/image', v2Prefix: '/api/v2/chat', operationId: 'UploadChannelImage', sdk: 'channel.sendImage, uploadChannelImage', reason: FILES },
  { method: 'DELETE', path: '/channels/:type/:id/image', v2Prefix: '/api/v2/chat', operationId: 'DeleteChannelImage', sdk: 'channel.deleteImage, deleteChannelImage', reason: FILES },
  { method: 'POST', path: '/uploads/file', v2Prefix: '/api/v2', operationId: 'UploadFile', sdk: 'uploadFile', reason: FILES },
  { method: 'DELETE', path: '/uploads/file', v2Prefix: '/api/v2', operationId: 'DeleteFile', sdk: 'deleteFile', reason: FILES },
  { method: 'POST', path: '/uploads/image', v2Prefix: '/api/v2', operationId: 'UploadImage', sdk: 'uploadImage', reason: FILES },
  { method: 'DELETE', path: '/uploads/image', v2Prefix: '/api/v2', operationId: 'DeleteImage', sdk: 'deleteImage', reason: FILES },
  { method: 'GET', path: '/og', v2Prefix: '/api/v2', operationId: 'GetOG', sdk: 'enrichURL, getOG', reason: OPEN_GRAPH },
  { method: 'POST', path: '/moderation/check', v2Prefix: '/api/v2', operationId: 'Check', sdk: 'moderation.check', reason: AI },
  { method: 'POST', path: '/moderation/analyze', v2Prefix: '/api/v2', operationId: 'Analyze', sdk: 'moderation.analyze', reason: AI },
  { method: 'POST', path: '/moderation/bulk_image_moderation', v2Prefix: '/api/v2', operationId: 'BulkImageModeration', sdk: 'moderation.bulkImageModeration', reason: AI },
  { method: 'POST', path: '/moderation/check_s3_access', v2Prefix: '/api/v2', operationId: 'CheckS3Access', sdk: 'moderation.checkS3Access', reason: STORAGE },
  { method: 'GET', path: '/external_storage', v2Prefix: '/api/v2', operationId: 'ListExternalStorage', sdk: 'listExternalStorage', reason: STORAGE },
  { method: 'POST', path: '/external_storage', v2Prefix: '/api/v2', operationId: 'CreateExternalStorage', sdk: 'createExternalStorage', reason: STORAGE },
  { method: 'PUT', path: '/external_storage/:name', v2Prefix: '/api/v2', operationId: 'UpdateExternalStorage', sdk: 'updateExternalStorage', reason: STORAGE },
  { method: 'DELETE', path: '/external_storage/:name', v2Prefix: '/api/v2', operationId: 'DeleteExternalStorage', sdk: 'deleteExternalStorage', reason: STORAGE },
  { method: 'GET', path: '/external_storage/:name/check', v2Prefix: '/api/v2', operationId: 'CheckExternalStorage', sdk: 'checkExternalStorage', reason: STORAGE },
  { method: 'POST', path: '/import_urls', v2Prefix: '/api/v2', operationId: 'CreateImportURL', sdk: 'createImportURL', reason: IMPORTS },
  { method: 'POST', path: '/imports', v2Prefix: '/api/v2', operationId: 'CreateImport', sdk: 'createImport', reason: IMPORTS },
  { method: 'GET', path: '/imports', v2Prefix: '/api/v2', operationId: 'ListImports', sdk: 'listImports', reason: IMPORTS },
  { method: 'GET', path: '/imports/:id', v2Prefix: '/api/v2', operationId: 'GetImport', sdk: 'getImport', reason: IMPORTS },
];

/** The routes refused, for tests and the README: method, legacy path, v2 path, operation, reason. */
export const unsupportedOperations = refusals.map((r) => ({ ...r, v2Path: `${r.v2Prefix}${r.path}` }));

const reasonOf = new Map(refusals.map((r) => [r.operationId, r.reason]));

/** `{type}`, `{id}`… of a path, each a required string (the OpenAPI document lists them). */
function paramsOf(path: string): { params?: TSchema } {
  const names = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]);
  return names.length > 0 ? { params: Type.Object(Object.fromEntries(names.map((n) => [n, Type.String()]))) } : {};
}

// Documented as never succeeding; the 501 is the 5xx error the document lists for every route.
const Never = Type.Object({}, { description: 'Never sent: Herald answers 501 Not Implemented (code 4), naming what it lacks' });

export function unsupportedRoutes(app: FastifyInstance): void {
  // A scope of their own: the refusal is thrown in onRequest, after auth (a bad token is still
  // a 401) but before the body is read, so that a multipart upload of any size is refused as
  // itself rather than as a body too large or not JSON.
  void app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => {
      const reason = reasonOf.get(request.routeOptions.config.operationId ?? '');
      if (reason) throw notSupported(reason);
    });
    for (const r of refusals) {
      dualRoute(scope, {
        method: r.method,
        path: r.path,
        v2Prefix: r.v2Prefix,
        operationId: r.operationId,
        status: r.method === 'GET' || r.method === 'DELETE' ? 200 : 201,
        schema: { ...paramsOf(r.path), response: Never },
        async handler() {
          throw notSupported(r.reason);
        },
      });
    }
  });
}
