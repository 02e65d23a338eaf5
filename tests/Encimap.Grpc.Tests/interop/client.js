'use strict';
// grpc-js client against a server under test. Usage: node client.js 127.0.0.1:PORT
// Environment: INTERNAL_TOKEN, the internal-call token the server requires (sent as
// "authorization: Bearer ..." on every call but the anonymous one); MESSAGE_LIMIT, the server's
// largest request message in bytes. Runs each case and prints one JSON object with what grpc-js
// saw; the C# test asserts it.
const { grpc, Echo } = require('./common');

const address = process.argv[2];
const token = process.env.INTERNAL_TOKEN || '';
const limit = Number(process.env.MESSAGE_LIMIT || 0);

const withToken = (options, nextCall) => new grpc.InterceptingCall(nextCall(options), {
  start(metadata, listener, next) {
    metadata.set('authorization', `Bearer ${token}`);
    next(metadata, listener);
  },
});
const client = new Echo(address, grpc.credentials.createInsecure(), { interceptors: [withToken] });
const anonymous = new Echo(address, grpc.credentials.createInsecure());

function deadlineIn(ms) {
  return new Date(Date.now() + ms);
}

function unary(method, request, metadata = new grpc.Metadata(), options = {}, on = client) {
  const started = Date.now();
  return new Promise((resolve) => {
    on[method](request, metadata, { deadline: deadlineIn(60000), ...options }, (err, reply) => {
      const elapsedMs = Date.now() - started;
      if (err) {
        resolve({ code: err.code, details: err.details, trailer: err.metadata.get('x-trailer')[0] || null, elapsedMs });
      } else {
        resolve({ code: 0, reply, elapsedMs });
      }
    });
  });
}

function stream(request) {
  return new Promise((resolve) => {
    const messages = [];
    const call = client.count(request, new grpc.Metadata(), { deadline: deadlineIn(10000) });
    call.on('data', (m) => messages.push({ index: m.index, text: m.text }));
    call.on('error', (err) => resolve({ messages, code: err.code, details: err.details }));
    call.on('status', (status) => {
      if (status.code === grpc.status.OK) {
        resolve({ messages, code: 0, details: status.details });
      }
    });
  });
}

function unknownMethod() {
  return new Promise((resolve) => {
    client.makeUnaryRequest('/encimap.interop.v1.Echo/NoSuchMethod', (b) => b, (b) => b, Buffer.alloc(0),
      new grpc.Metadata(), { deadline: deadlineIn(10000) }, (err) => resolve({ code: err ? err.code : 0, details: err ? err.details : '' }));
  });
}

// A request message (field 2, bytes) of exactly `size` bytes on the wire: tag, length, payload.
function payloadForMessageOf(size) {
  let payload = size - 2;
  while (1 + varintLength(payload) + payload > size) {
    payload--;
  }
  return Buffer.alloc(payload, 0x61);
}

function varintLength(n) {
  let length = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    length++;
  }
  return length;
}

async function measure(size) {
  const payload = payloadForMessageOf(size);
  const result = await unary('measure', { payload });
  return result.code === 0
    ? { code: 0, sent: payload.length, payloadLength: Number(result.reply.payloadLength) }
    : { code: result.code, sent: payload.length, details: result.details };
}

async function main() {
  const metadata = new grpc.Metadata();
  metadata.set('x-echo', 'from grpc-js');
  const payload = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const say = await unary('say', { text: 'Grüße, 世界 ✓', payload }, metadata);
  const result = {
    say: say.code === 0
      ? { code: 0, text: say.reply.text, payloadHex: Buffer.from(say.reply.payload).toString('hex'), metadataValue: say.reply.metadataValue }
      : say,
    fail: await unary('fail', { code: 5, message: 'Adresse «bob@例え.jp» unbekannt: 100% sicher' }),
    deadline: await unary('sleep', { milliseconds: 5000 }, new grpc.Metadata(), { deadline: deadlineIn(300) }),
    count: await stream({ count: 5 }),
    countThenFail: await stream({ count: 3, failCode: 9, failMessage: 'stopped after three' }),
    unknown: await unknownMethod(),
    anonymous: await unary('say', { text: 'no token' }, new grpc.Metadata(), {}, anonymous),
    atLimit: await measure(limit),
    overLimit: await measure(limit + 1),
  };
  process.stdout.write(JSON.stringify(result) + '\n');
  client.close();
  anonymous.close();
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e) + '\n');
  process.exit(1);
});
