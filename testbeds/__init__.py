"""Servers to judge the suite and the mock by: live servers, and the mock with planted faults."""

from contract_tests.processes import free_port
from testbeds.live import START, Clock, LiveServer, mock_process, served
from testbeds.wan import wan

__all__ = ["START", "Clock", "LiveServer", "free_port", "mock_process", "served", "wan"]
