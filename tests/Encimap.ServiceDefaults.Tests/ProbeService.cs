using Encimap.ServiceDefaults.Tests.Probe;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Encimap.ServiceDefaults.Tests;

/// <summary>
/// The gRPC probe server: <c>Wait</c> answers after the requested time. It counts every request
/// that reached it, and can refuse the next ones with HTTP 503 before gRPC sees them (what a
/// restarting service or a proxy in front of it answers).
/// </summary>
internal sealed class ProbeService(ProbeService.State state) : Probe.Probe.ProbeBase
{
    public override async Task<WaitReply> Wait(WaitRequest request, ServerCallContext context)
    {
        await Task.Delay(request.Milliseconds, context.CancellationToken);
        return new WaitReply { Calls = state.Calls };
    }

    public static Task<LoopbackApp> StartAsync(State state) =>
        LoopbackApp.StartAsync(
            app =>
            {
                app.Use(async (context, next) =>
                {
                    Interlocked.Increment(ref state.CallCount);
                    if (state.RefuseWith503)
                    {
                        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                        return;
                    }

                    await next(context);
                });
                app.MapGrpcService<ProbeService>();
            },
            withDefaults: false,
            configure: builder =>
            {
                builder.Services.AddGrpc();
                builder.Services.AddSingleton(state);
            },
            http2Only: true);

    internal sealed class State
    {
        public int CallCount;

        public bool RefuseWith503 { get; set; }

        public int Calls => Volatile.Read(ref CallCount);
    }
}
