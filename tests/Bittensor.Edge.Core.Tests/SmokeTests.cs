// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Core.Tests;

public class SmokeTests
{
    [Fact]
    public void Clock_interface_is_public() => Assert.True(typeof(IClock).IsInterface);
}
