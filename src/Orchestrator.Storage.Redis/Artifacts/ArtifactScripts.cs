using StackExchange.Redis;

namespace Orchestrator.Storage.Redis.Artifacts;

/// <summary>The Lua script that turns a finished upload into a stored artifact in one atomic step.</summary>
internal static class ArtifactScripts
{
    /// <summary>ARGV: prefix, upload id, digest, chunk count, size. Renames the upload's pieces to the digest's and writes
    /// the artifact's hash last; when the artifact is already stored, drops the upload instead (same content).</summary>
    public static readonly LuaScript Commit = LuaScript.Prepare("""
        local p, upload, digest, chunks = @prefix, @upload, @digest, tonumber(@chunks)
        local meta = p .. 'artifact:' .. digest
        if redis.call('EXISTS', meta) == 1 then
          for i = 0, chunks - 1 do redis.call('DEL', p .. 'upload:' .. upload .. ':' .. i) end
          return 0
        end
        for i = 0, chunks - 1 do
          local chunk = p .. 'artifact:' .. digest .. ':' .. i
          redis.call('RENAME', p .. 'upload:' .. upload .. ':' .. i, chunk)
          redis.call('PERSIST', chunk)
        end
        redis.call('HSET', meta, 'size', @size, 'chunks', chunks)
        return 1
        """);
}
