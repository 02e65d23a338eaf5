using Encimap.Imap.Protocol;
using Npgsql;

namespace Encimap.Imap;

// SQL pieces the commands share.
public sealed partial class PostgresImapSession
{
    /// <summary>A condition on <c>uid</c> for the ranges, with parameters appended to <paramref name="command"/>.</summary>
    private static string RangeCondition(NpgsqlCommand command, IReadOnlyList<UidRange> uids) => RangeCondition(command.Parameters, uids);

    /// <summary>A condition on <c>uid</c> for the ranges, with parameters appended to <paramref name="parameters"/>.</summary>
    private static string RangeCondition(NpgsqlParameterCollection parameters, IReadOnlyList<UidRange> uids)
    {
        if (uids.Count <= 20)
        {
            var parts = new List<string>();
            foreach (var range in uids)
            {
                parameters.AddWithValue((long)range.First);
                parameters.AddWithValue((long)range.Last);
                parts.Add($"uid BETWEEN ${parameters.Count - 1} AND ${parameters.Count}");
            }

            return "(" + string.Join(" OR ", parts) + ")";
        }

        parameters.AddWithValue(uids.Select(r => (long)r.First).ToArray());
        parameters.AddWithValue(uids.Select(r => (long)r.Last).ToArray());
        var n = parameters.Count;
        return $"EXISTS (SELECT 1 FROM unnest(${n - 1}::bigint[], ${n}::bigint[]) r(lo, hi) WHERE uid BETWEEN r.lo AND r.hi)";
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }
}
