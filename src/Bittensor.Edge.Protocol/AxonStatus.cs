// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Protocol;

/// <summary>
/// The status codes of specs/protocol.md §3.5: what an axon answers, and the dendrite-local outcomes
/// (408, 502, 503, 422) for a call that got no usable response.
/// </summary>
/// <remarks>Validators score every status other than <see cref="Ok"/> as a failure.</remarks>
public enum AxonStatus
{
    /// <summary>200: success.</summary>
    Ok = 200,

    /// <summary>400: bad headers, JSON or body hash.</summary>
    BadRequest = 400,

    /// <summary>401: missing or invalid signature, bad nonce, wrong axon.</summary>
    Unauthorized = 401,

    /// <summary>403: blacklisted (unregistered, or no validator permit or too little stake for a data synapse).</summary>
    Forbidden = 403,

    /// <summary>404: unknown synapse.</summary>
    NotFound = 404,

    /// <summary>405: a method other than POST on a known route.</summary>
    MethodNotAllowed = 405,

    /// <summary>408: the queue or handler deadline passed; at the dendrite, nothing within timeout + 0.5 s.</summary>
    Timeout = 408,

    /// <summary>413: request body over 8 MiB.</summary>
    PayloadTooLarge = 413,

    /// <summary>422: a domain error; at the dendrite, a response body it could not parse.</summary>
    UnprocessableEntity = 422,

    /// <summary>429: rate limited.</summary>
    TooManyRequests = 429,

    /// <summary>500: the handler failed.</summary>
    InternalServerError = 500,

    /// <summary>502 (dendrite only): the response signature is missing or invalid.</summary>
    BadGateway = 502,

    /// <summary>503: overloaded, nonce table full or no device; at the dendrite, connection refused or reset.</summary>
    ServiceUnavailable = 503,
}
