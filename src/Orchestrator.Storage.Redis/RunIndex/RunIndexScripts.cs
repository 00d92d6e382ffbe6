using StackExchange.Redis;

namespace Orchestrator.Storage.Redis.RunIndex;

/// <summary>The Lua scripts that change a run's summary and every index entry that depends on it in one atomic step,
/// so that counters never drift from the summaries even when two silos write at once.</summary>
internal static class RunIndexScripts
{
    // Shared by both scripts: take the run's previous entries out of the sorted sets and counters.
    private const string Unindex = """
        local function unindex(p, id, old)
          redis.call('ZREM', p .. 'runs:all', old[1])
          redis.call('ZREM', p .. 'runs:tenant:' .. old[2], old[1])
          if redis.call('HINCRBY', p .. 'runs:by-state', old[4], -1) <= 0 then redis.call('HDEL', p .. 'runs:by-state', old[4]) end
          if old[5] == '1' then
            redis.call('SREM', p .. 'runs:active', id)
            local pipeline = old[2] .. '\n' .. old[3]
            if redis.call('HINCRBY', p .. 'runs:active-by-pipeline', pipeline, -1) <= 0 then
              redis.call('HDEL', p .. 'runs:active-by-pipeline', pipeline)
            end
          end
        end

        """;

    /// <summary>ARGV: prefix, id, json, member, tenant, pipeline, state, active (1/0), revision. Returns 0 when the
    /// stored summary has a later revision (a write from an activation that has since moved), else 1.</summary>
    public static readonly LuaScript Upsert = LuaScript.Prepare(Unindex + """
        local p, id = @prefix, @id
        local key = p .. 'run:' .. id
        local old = redis.call('HMGET', key, 'member', 'tenant', 'pipeline', 'state', 'active', 'rev')
        if old[1] then
          if tonumber(old[6]) > tonumber(@rev) then return 0 end
          unindex(p, id, old)
        end
        redis.call('HSET', key, 'json', @json, 'member', @member, 'tenant', @tenant, 'pipeline', @pipeline, 'state', @state, 'active', @active, 'rev', @rev)
        redis.call('ZADD', p .. 'runs:all', 0, @member)
        redis.call('ZADD', p .. 'runs:tenant:' .. @tenant, 0, @member)
        redis.call('HINCRBY', p .. 'runs:by-state', @state, 1)
        if @active == '1' then
          redis.call('SADD', p .. 'runs:active', id)
          redis.call('HINCRBY', p .. 'runs:active-by-pipeline', @tenant .. '\n' .. @pipeline, 1)
        end
        return 1
        """);

    /// <summary>ARGV: prefix, id. Removes the run and its index entries; nothing when it is not there.</summary>
    public static readonly LuaScript Remove = LuaScript.Prepare(Unindex + """
        local p, id = @prefix, @id
        local key = p .. 'run:' .. id
        local old = redis.call('HMGET', key, 'member', 'tenant', 'pipeline', 'state', 'active', 'rev')
        if not old[1] then return 0 end
        unindex(p, id, old)
        redis.call('DEL', key)
        return 1
        """);
}
