'use strict';
// grpc-js server for our client to call. Prints {"port":N} once listening on 127.0.0.1, and exits
// when its standard input closes, so it never outlives the test process that started it.
const { grpc, Echo } = require('./common');

function say(call, callback) {
  callback(null, {
    text: call.request.text,
    payload: call.request.payload,
    metadataValue: call.metadata.get('x-echo')[0] || '',
    peer: call.getPeer(),
  });
}

function measure(call, callback) {
  callback(null, { payloadLength: call.request.payload.length });
}

function fail(call, callback) {
  const trailers = new grpc.Metadata();
  trailers.set('x-trailer', 'from grpc-js');
  callback({ code: call.request.code, details: call.request.message, metadata: trailers });
}

function sleep(call, callback) {
  const timer = setTimeout(() => callback(null, { text: 'slept' }), call.request.milliseconds);
  call.on('cancelled', () => clearTimeout(timer));
}

function count(call) {
  for (let i = 0; i < call.request.count; i++) {
    call.write({ index: i, text: `message ${i}` });
  }
  if (call.request.failCode) {
    call.emit('error', { code: call.request.failCode, details: call.request.failMessage });
  } else {
    call.end();
  }
}

const server = new grpc.Server();
server.addService(Echo.service, { say, measure, fail, failSafely: fail, sleep, count });
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    process.stderr.write(String(err) + '\n');
    process.exit(1);
  }
  process.stdout.write(JSON.stringify({ port }) + '\n');
});

process.stdin.on('end', () => server.tryShutdown(() => process.exit(0)));
process.stdin.resume();
