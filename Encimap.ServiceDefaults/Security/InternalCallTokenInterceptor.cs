using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Encimap.ServiceDefaults.Security;

/// <summary>
/// Sends <c>authorization: Bearer</c> with an internal-call token on every call of a gRPC client,
/// so that the called service's <see cref="InternalCallAuthentication.Policy"/> lets it in.
/// </summary>
public sealed class InternalCallTokenInterceptor(InternalCallToken token) : Interceptor
{
    private const string AuthorizationHeader = "authorization";

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        BlockingUnaryCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithToken(context));

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithToken(context));

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithToken(context));

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(WithToken(context));

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(WithToken(context));

    private ClientInterceptorContext<TRequest, TResponse> WithToken<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class
    {
        // A copy: the caller's Metadata may serve other calls, and a token of its own is replaced.
        var headers = new Metadata();
        if (context.Options.Headers is { } given)
        {
            foreach (var entry in given.Where(e => !string.Equals(e.Key, AuthorizationHeader, StringComparison.OrdinalIgnoreCase)))
            {
                headers.Add(entry);
            }
        }

        headers.Add(AuthorizationHeader, "Bearer " + token.Current());
        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers));
    }
}
