using StackExchange.Redis;

namespace Orchestrator.Storage.Redis.StepLogs;

/// <summary>The Lua scripts of the step log store: the completion check and the append (or the end mark) happen in one
/// atomic step, so no chunk can land after a log was completed, whichever silo writes.</summary>
internal static class StepLogScripts
{
    /// <summary>Appends a chunk and wakes followers; returns 0 (and appends nothing) when the log is complete.</summary>
    public static readonly LuaScript Append = LuaScript.Prepare("""
        if redis.call('EXISTS', @done) == 1 then return 0 end
        redis.call('XADD', @log, '*', 's', @stream, 't', @time, 'd', @data)
        redis.call('PUBLISH', @signal, '1')
        return 1
        """);

    /// <summary>Marks the log complete with a last <c>end</c> entry and wakes followers; completing twice does nothing.</summary>
    public static readonly LuaScript Complete = LuaScript.Prepare("""
        if not redis.call('SET', @done, '1', 'NX') then return 0 end
        redis.call('XADD', @log, '*', 'end', @time)
        redis.call('PUBLISH', @signal, '1')
        return 1
        """);
}
