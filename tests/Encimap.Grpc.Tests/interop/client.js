'use strict';
// grpc-js client against a server under test. Usage: node client.js 127.0.0.1:PORT
// Runs each case and prints one JSON object with what grpc-js saw; the C# test asserts it.
const { grpc, Echo } = require('./common');

const address = process.argv[2];
const client = new Echo(address, grpc.credentials.createInsecure());

function deadlineIn(ms) {
  return new Date(Date.now() + ms);
}

function unary(method, request, metadata = new grpc.Metadata(), options = {}) {
  const started = Date.now();
  return new Promise((resolve) => {
    client[method](request, metadata, { deadline: deadlineIn(10000), ...options }, (err, reply) => {
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
  };
  process.stdout.write(JSON.stringify(result) + '\n');
  client.close();
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e) + '\n');
  process.exit(1);
});
