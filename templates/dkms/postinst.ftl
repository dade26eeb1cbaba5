#!/bin/sh
set -e
<#include "postinst-snippet.ftl">
