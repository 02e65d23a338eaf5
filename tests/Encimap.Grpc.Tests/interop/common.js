'use strict';
// Loads interop.proto (the file the C# tests compile too) for the grpc-js peers.
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const definition = protoLoader.loadSync(path.join(__dirname, 'interop.proto'), {
  keepCase: false,
  longs: Number,
  enums: Number,
  defaults: true,
});

module.exports = {
  grpc,
  Echo: grpc.loadPackageDefinition(definition).encimap.interop.v1.Echo,
};
