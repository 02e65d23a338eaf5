using Encimap.Imap.Protocol;
using Npgsql;

namespace Encimap.Imap;

// SQL pieces the commands share.
public sealed partial class PostgresImapSession
{
    /// <summary>A condition on <c>uid</c> for the ranges, with parameters appended to <paramref name="command"/>.</summary>
    private static string RangeCondition(NpgsqlCommand command, IReadOnlyList<UidRange> uids)
    {
        if (uids.Count <= 20)
        {
            var parts = new List<string>();
            foreach (var range in uids)
            {
                command.Parameters.AddWithValue((long)range.First);
                command.Parameters.AddWithValue((long)range.Last);
                parts.Add($"uid BETWEEN ${command.Parameters.Count - 1} AND ${command.Parameters.Count}");
            }

            return "(" + string.Join(" OR ", parts) + ")";
        }

        command.Parameters.AddWithValue(uids.Select(r => (long)r.First).ToArray());
        command.Parameters.AddWithValue(uids.Select(r => (long)r.Last).ToArray());
        var n = command.Parameters.Count;
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
