#!/bin/sh
set -e
<#include "prerm-snippet.ftl">
