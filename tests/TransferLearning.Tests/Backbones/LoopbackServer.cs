using System.Net;
using System.Net.Sockets;

namespace TransferLearning.Tests.Backbones;

/// <summary>
/// An HTTP server on 127.0.0.1 and a free port, for download tests. Each request is answered by the handler on its own
/// task; disposing stops the listener and cancels handlers that wait (a stalling server).
/// </summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    public LoopbackServer(Func<HttpListenerContext, CancellationToken, Task> handler)
    {
        for (int attempt = 0; ; attempt++)
        {
            int port = FreePort();
            BaseUri = new Uri($"http://127.0.0.1:{port}/models/");
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5) { }
        }
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening) { return; }
                Interlocked.Increment(ref _requests);
                _ = Task.Run(async () =>
                {
                    try { await handler(context, _stop.Token); }
                    catch (Exception) { try { context.Response.Abort(); } catch (Exception) { } }
                });
            }
        });
    }

    /// <summary>Where the server serves files: <c>http://127.0.0.1:PORT/models/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>Requests received so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>A handler that serves <paramref name="body"/> with its length.</summary>
    public static Func<HttpListenerContext, CancellationToken, Task> Serve(byte[] body) => async (context, ct) =>
    {
        context.Response.ContentLength64 = body.Length;
        await context.Response.OutputStream.WriteAsync(body, ct);
        context.Response.Close();
    };

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _listener.Stop(); } catch (ObjectDisposedException) { }
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}
