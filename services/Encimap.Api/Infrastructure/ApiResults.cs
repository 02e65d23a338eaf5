namespace Encimap.Api.Infrastructure;

/// <summary>Results wrapped in <see cref="ApiEnvelope"/>, with the status codes of SPEC.md.</summary>
public static class ApiResults
{
    public static IResult Ok(object data) => Results.Json(new ApiEnvelope(true, data, null));

    public static IResult Created(object data) => Results.Json(new ApiEnvelope(true, data, null), statusCode: StatusCodes.Status201Created);

    public static IResult Error(int status, string code, string message) =>
        Results.Json(new ApiEnvelope(false, null, new ApiError(code, message)), statusCode: status);

    public static IResult Validation(string message) => Error(StatusCodes.Status400BadRequest, "validation_error", message);

    public static IResult NotFound(string what = "vaultbox") => Error(StatusCodes.Status404NotFound, "not_found", $"{what} not found");

    public static IResult Forbidden(string code, string message) => Error(StatusCodes.Status403Forbidden, code, message);

    public static IResult Conflict(string code, string message) => Error(StatusCodes.Status409Conflict, code, message);

    public static IResult Unavailable(string code, string message) => Error(StatusCodes.Status503ServiceUnavailable, code, message);
}
